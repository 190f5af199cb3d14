import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Operation } from 'urql'
import { describe, expect, it } from 'vitest'
import { renderPage } from '../../test/renderPage'
import { ResizeSection, resizeInput } from './ResizeSection'

const size = { workers: 3, workerVcpu: 4, workerRamGb: 8, workerDiskGb: 40 }
const text = (s: typeof size) => ({ workers: String(s.workers), workerVcpu: String(s.workerVcpu), workerRamGb: String(s.workerRamGb), workerDiskGb: String(s.workerDiskGb) })

describe('resizeInput', () => {
  const cases = [
    { name: 'only the count changes', form: { ...text(size), workers: '5' }, reason: '', want: { workers: 5 } },
    { name: 'new workers get more RAM', form: { ...text(size), workers: '4', workerRamGb: '16' }, reason: ' peak ', want: { workers: 4, workerRamGb: 16, reason: 'peak' } },
    { name: 'an empty count is not a number', form: { ...text(size), workers: '' }, reason: '', want: { workers: NaN } },
    { name: 'a fraction of a vCPU is not sent', form: { ...text(size), workers: '2', workerVcpu: '1.5' }, reason: '', want: { workers: 2 } },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      const got = resizeInput('c1', size, tc.form, tc.reason)
      expect(got.clusterId).toBe('c1')
      expect(got.workers).toEqual(tc.want.workers)
      expect(got.workerVcpu).toBe((tc.want as { workerVcpu?: number }).workerVcpu)
      expect(got.workerRamGb).toBe((tc.want as { workerRamGb?: number }).workerRamGb)
      expect(got.workerDiskGb).toBeUndefined()
      expect(got.reason).toBe((tc.want as { reason?: string }).reason)
    })
  }
})

const request = (status: string, extra: object = {}) => ({
  id: `r-${status}`,
  status,
  size: { ...size, workers: 5 },
  reason: 'peak',
  requestedBy: 'alice',
  createdAt: '2026-12-01T10:00:00Z',
  decidedBy: null,
  decidedAt: null,
  decisionReason: null,
  ...extra,
})

describe('ResizeSection', () => {
  it('sends the new size and the reason for the active cluster', async () => {
    const user = userEvent.setup()
    const sent: Operation[] = []
    renderPage(<ResizeSection clusterId="c1" clusterName="prod" size={size} />, {
      ClusterResizeRequests: { data: { resizeRequests: [] } },
      RequestResize: (op) => {
        sent.push(op)
        return { data: { requestResize: { id: 'r1', status: 'PENDING' } } }
      },
    })
    const workers = await screen.findByLabelText('Workers')
    await user.clear(workers)
    await user.type(workers, '5')
    await user.type(screen.getByLabelText('Reason for the operators'), 'black friday')
    await user.click(screen.getByRole('button', { name: 'Request resize' }))
    expect(await screen.findByRole('status')).toBeTruthy()
    expect(sent).toHaveLength(1)
    expect(sent[0].variables).toEqual({ input: { clusterId: 'c1', workers: 5, reason: 'black friday' } })
  })

  it('shows the server’s refusal with its code', async () => {
    const user = userEvent.setup()
    renderPage(<ResizeSection clusterId="c1" clusterName="prod" size={size} />, {
      ClusterResizeRequests: { data: { resizeRequests: [] } },
      RequestResize: { error: 'INVALID', message: 'cluster prod already has 3 workers of this size' },
    })
    await user.click(await screen.findByRole('button', { name: 'Request resize' }))
    expect((await screen.findByRole('alert')).textContent).toContain('already has 3 workers of this size INVALID')
  })

  it('waits for a pending request to be decided and shows why one was declined', async () => {
    renderPage(<ResizeSection clusterId="c1" clusterName="prod" size={size} />, {
      ClusterResizeRequests: {
        data: {
          resizeRequests: [request('PENDING'), request('DECLINED', { id: 'r-old', decidedBy: 'oscar', decisionReason: 'over budget' })],
        },
      },
    })
    const rows = await screen.findAllByTestId('resize-request')
    expect(rows).toHaveLength(2)
    expect(within(rows[0]).getByText('waiting for an operator')).toBeTruthy()
    expect(rows[1].textContent).toContain('oscar: “over budget”')
    expect((screen.getByRole('button', { name: 'Request resize' }) as HTMLButtonElement).disabled).toBe(true)
  })
})
