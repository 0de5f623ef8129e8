import { render } from '@testing-library/react'
import { MemoryRouter, useLocation } from 'react-router'
import { App, makeQueryClient } from '../App'

function LocationProbe() {
  const location = useLocation()
  return <output data-testid="location" hidden>{location.pathname + location.search}</output>
}

/** The whole app at `path`, with a hidden probe of the current location. */
export function renderApp(path: string) {
  const queryClient = makeQueryClient()
  const utils = render(
    <MemoryRouter initialEntries={[path]}>
      <App queryClient={queryClient} />
      <LocationProbe />
    </MemoryRouter>,
  )
  return { ...utils, queryClient }
}
