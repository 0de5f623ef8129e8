import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { Navigate, Route, Routes } from 'react-router'
import { ProblemError } from './api'
import { DashboardPage } from './pages/DashboardPage'
import { LoginPage } from './pages/LoginPage'
import { NotFoundPage } from './pages/NotFoundPage'
import { clearSession, useSession } from './session'

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (error instanceof ProblemError && error.status === 401) clearSession()
      },
    }),
    defaultOptions: {
      queries: {
        // Client errors (4xx) will not fix themselves; retry only network/5xx.
        retry: (failureCount, error) =>
          !(error instanceof ProblemError && error.status >= 400 && error.status < 500) && failureCount < 2,
        refetchOnWindowFocus: true,
        staleTime: 15_000,
      },
    },
  })
}

function Dashboard() {
  const session = useSession()
  if (!session) return <Navigate to="/login" replace />
  return <DashboardPage session={session} />
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<Dashboard />} />
      <Route path="/login" element={<LoginPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <AppRoutes />
    </QueryClientProvider>
  )
}
