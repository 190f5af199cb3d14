import { useEffect, useId, useRef } from 'react'
import { CopyButton } from '../../components/CopyButton'
import { Time } from '../../components/Time'
import { downloadText } from '../../lib/download'
import { buildKubeconfig, caFileName, kubeconfigFileName, kubectlCommand } from '../../lib/kubeconfig'
import type { KubeconfigCluster } from '../../lib/kubeconfig'
import type { CreatedSecret } from './CreateTokenForm'

// NewTokenSecret shows a new token's secret, the one time it exists outside the user's
// hands, with what to do with it: copy it, try it with kubectl, or take a kubeconfig.
export function NewTokenSecret({
  created,
  cluster,
  userName,
  onDismiss,
}: {
  created: CreatedSecret
  cluster: KubeconfigCluster | null
  userName: string
  onDismiss: () => void
}) {
  const headingRef = useRef<HTMLHeadingElement>(null)
  const secretRef = useRef<HTMLElement>(null)
  const commandRef = useRef<HTMLElement>(null)
  const noClusterId = useId()
  const command = kubectlCommand(created.secret, cluster)

  // Bring the panel into view and give it focus, so keyboard and screen-reader users
  // land on the secret.
  useEffect(() => {
    headingRef.current?.focus()
  }, [created])

  return (
    <section className="panel panel--highlight stack" aria-labelledby="new-token-heading" data-testid="new-token">
      <h2 id="new-token-heading" ref={headingRef} tabIndex={-1}>
        Token “{created.name}” created
      </h2>
      <p className="callout" role="note">
        <strong>Copy the token now: it will not be shown again.</strong> The panel keeps only a
        hash of it. If you lose it, delete it below and create a new one.
      </p>

      <div className="stack">
        <span className="field__hint">
          Your token (starts with <code>{created.prefix}</code>, expires <Time value={created.expiresAt} />)
        </span>
        <div className="codeblock">
          <pre>
            <code ref={secretRef} data-testid="token-secret">
              {created.secret}
            </code>
          </pre>
          <CopyButton text={created.secret} source={secretRef} label="Copy token" className="btn btn--primary" />
        </div>
      </div>

      <div className="stack">
        <span className="field__hint">Try it:</span>
        <div className="codeblock">
          <pre>
            <code ref={commandRef} data-testid="kubectl-command">
              {command}
            </code>
          </pre>
          <CopyButton text={command} source={commandRef} label="Copy command" />
        </div>
        {cluster ? (
          cluster.caPEM.trim() !== '' && (
            <span className="field__hint">
              The command expects the cluster’s CA certificate in{' '}
              <code>{caFileName(cluster.name)}</code>: download it with the button below.
            </span>
          )
        ) : (
          <span className="field__hint">
            There is no cluster yet: add <code>--server</code> and <code>--certificate-authority</code>{' '}
            once an operator has added one.
          </span>
        )}
      </div>

      <div className="row">
        <button
          type="button"
          className="btn btn--secondary"
          disabled={!cluster}
          aria-describedby={cluster ? undefined : noClusterId}
          onClick={() => {
            if (!cluster) return
            const yaml = buildKubeconfig({ cluster, userName, token: created.secret })
            downloadText(kubeconfigFileName(cluster.name), yaml, 'application/yaml')
          }}
        >
          Download kubeconfig{cluster ? ` (${cluster.name})` : ''}
        </button>
        {cluster && cluster.caPEM.trim() !== '' && (
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => downloadText(caFileName(cluster.name), cluster.caPEM, 'application/x-pem-file')}
          >
            Download CA certificate
          </button>
        )}
        <button type="button" className="btn btn--secondary" onClick={onDismiss}>
          I have saved it — hide the token
        </button>
      </div>
      {!cluster && (
        <p id={noClusterId} className="field__hint">
          A kubeconfig needs a cluster to point at; the download is available once there is an
          active cluster.
        </p>
      )}
    </section>
  )
}
