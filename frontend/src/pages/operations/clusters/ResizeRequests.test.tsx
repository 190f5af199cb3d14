import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Operation } from 'urql'
import { describe, expect, it } from 'vitest'
import { renderPage } from '../../../test/renderPage'
import { ResizeRequests } from './ResizeRequests'

const size = { workers: 3, workerVcpu: 4, workerRamGb: 8, workerDiskGb: 40, registryDbGb: 10 }
const pending = {
  id: 'r1',
  clusterId: 'c1',
  clusterName: 'prod',
  status: 'PENDING',
  size: { ...size, workers: 5 },
  from: size,
  reason: 'black friday',
  requestedBy: 'alice',
  createdAt: '2026-12-01T10:00:00Z',
  decidedBy: null,
  decisionReason: null,
  job: null,
}

describe('ResizeRequests', () => {
  it('shows a pending request and approves it', async () => {
    const user = userEvent.setup()
    const approved: Operation[] = []
    renderPage(
      <ResizeRequests />,
      {
        ResizeRequests: { data: { resizeRequests: [pending] } },
        ApproveResize: (op) => {
          approved.push(op)
          return { data: { approveResize: { id: 'r1', status: 'APPROVED', job: { id: 'j1' } } } }
        },
      },
      { isOperator: true },
    )
    const row = await screen.findByTestId('resize-request')
    expect(row.textContent).toContain('3 → 5 workers')
    expect(row.textContent).toContain('black friday')
    await user.click(within(row).getByRole('button', { name: 'Approve the resize of prod to 5 workers' }))
    expect(approved.map((op) => op.variables)).toEqual([{ id: 'r1' }])
  })

  it('declines only with a reason', async () => {
    const user = userEvent.setup()
    const declined: Operation[] = []
    renderPage(
      <ResizeRequests />,
      {
        ResizeRequests: { data: { resizeRequests: [pending] } },
        DeclineResize: (op) => {
          declined.push(op)
          return { data: { declineResize: { id: 'r1', status: 'DECLINED' } } }
        },
      },
      { isOperator: true },
    )
    await user.click(await screen.findByRole('button', { name: 'Decline…' }))
    const decline = screen.getByRole('button', { name: 'Decline' })
    expect((decline as HTMLButtonElement).disabled).toBe(true)
    await user.type(screen.getByLabelText('Why (shown to the requester)'), 'over budget')
    await user.click(decline)
    expect(declined.map((op) => op.variables)).toEqual([{ id: 'r1', reason: 'over budget' }])
  })

  it('shows who decided and why', async () => {
    renderPage(
      <ResizeRequests />,
      { ResizeRequests: { data: { resizeRequests: [{ ...pending, status: 'DECLINED', decidedBy: 'oscar', decisionReason: 'over budget' }] } } },
      { isOperator: true },
    )
    const row = await screen.findByTestId('resize-request')
    expect(row.textContent).toContain('declined by oscar: “over budget”')
    expect(within(row).queryByRole('button')).toBeNull()
  })
})
