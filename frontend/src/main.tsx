import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { App } from './App'
import { GraphQLProvider } from './graphql/GraphQLProvider'
import './styles/tokens.css'
import './styles/base.css'
import './styles/components.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <GraphQLProvider>
        <App />
      </GraphQLProvider>
    </BrowserRouter>
  </StrictMode>,
)
