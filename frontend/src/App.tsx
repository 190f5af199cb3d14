import { Route, Routes } from 'react-router'
import { AppShell } from './components/AppShell/AppShell'
import { RequireViewer } from './components/RequireViewer'
import { AccessPage } from './pages/admin/access/AccessPage'
import { AuditPage } from './pages/admin/audit/AuditPage'
import { BackupsPage } from './pages/admin/backups/BackupsPage'
import { LoginPage } from './pages/login/LoginPage'
import { NotFoundPage } from './pages/not-found/NotFoundPage'
import { ClustersPage } from './pages/operations/clusters/ClustersPage'
import { JobPage } from './pages/operations/jobs/JobPage'
import { OverviewPage } from './pages/overview/OverviewPage'
import { ServicesPage } from './pages/services/ServicesPage'
import { TokensPage } from './pages/tokens/TokensPage'

// App maps each URL to its page. A page's folder under src/pages/ follows its URL
// (/admin/access → pages/admin/access/); the overview at / lives in pages/overview/.
// Every page but /login needs a signed-in user and sits in the app shell.
export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireViewer>
            <AppShell />
          </RequireViewer>
        }
      >
        <Route index element={<OverviewPage />} />
        <Route path="services" element={<ServicesPage />} />
        <Route path="tokens" element={<TokensPage />} />
        <Route path="admin/access" element={<AccessPage />} />
        <Route path="admin/backups" element={<BackupsPage />} />
        <Route path="admin/audit" element={<AuditPage />} />
        <Route path="operations/clusters" element={<ClustersPage />} />
        <Route path="operations/jobs/:id" element={<JobPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  )
}
