import { graphql } from '../gql'

// ViewerQuery feeds the app shell: who is signed in, what they may see, and the active
// cluster. viewer is null when nobody is signed in.
export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      name
      domain
      isOperator
      isClusterAdmin
      activeCluster {
        id
        name
        status
      }
    }
  }
`)
