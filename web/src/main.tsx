import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { App, makeQueryClient } from './App'
import './index.css'

const root = document.getElementById('root')
if (!root) throw new Error('#root element missing from index.html')

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App queryClient={makeQueryClient()} />
    </BrowserRouter>
  </StrictMode>,
)
