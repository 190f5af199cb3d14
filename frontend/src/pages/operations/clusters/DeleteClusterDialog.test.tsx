import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { DeleteClusterDialog, typedNameMatches } from './DeleteClusterDialog'

describe('typedNameMatches', () => {
  const cases = [
    { typed: '', name: 'prod', want: false },
    { typed: 'pro', name: 'prod', want: false },
    { typed: 'Prod', name: 'prod', want: false },
    { typed: 'prod', name: 'prod', want: true },
    { typed: ' prod ', name: 'prod', want: true },
    { typed: '', name: '', want: false },
  ]
  for (const tc of cases) it(`${JSON.stringify(tc.typed)} for ${tc.name || 'no name'}: ${tc.want}`, () => expect(typedNameMatches(tc.typed, tc.name)).toBe(tc.want))
})

describe('DeleteClusterDialog', () => {
  it('keeps Delete disabled until the cluster name is typed, then deletes that cluster', async () => {
    const user = userEvent.setup()
    const onConfirm = vi.fn()
    render(<DeleteClusterDialog cluster={{ id: 'c9', name: 'gamma-prov' }} busy={false} problem={null} onConfirm={onConfirm} onCancel={() => {}} />)
    const button = screen.getByRole('button', { name: 'Delete cluster', hidden: true })
    const input = screen.getByLabelText(/Type gamma-prov to confirm/)
    expect((button as HTMLButtonElement).disabled).toBe(true)
    await user.type(input, 'gamma')
    expect((button as HTMLButtonElement).disabled).toBe(true)
    await user.type(input, '{Enter}')
    expect(onConfirm).not.toHaveBeenCalled()
    await user.type(input, '-prov')
    expect((button as HTMLButtonElement).disabled).toBe(false)
    await user.click(button)
    expect(onConfirm).toHaveBeenCalledWith({ id: 'c9', name: 'gamma-prov' })
  })

  it('shows the server’s refusal with its code', () => {
    render(
      <DeleteClusterDialog cluster={{ id: 'c9', name: 'gamma-prov' }} busy={false} problem={{ message: 'a job runs for this cluster', code: 'CONFLICT' }} onConfirm={() => {}} onCancel={() => {}} />,
    )
    expect(screen.getByRole('alert', { hidden: true }).textContent).toContain('a job runs for this cluster CONFLICT')
  })
})
