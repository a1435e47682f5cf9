import { render } from 'preact'
import { App } from './shell/app'
import { initLanguage } from './platform/i18n'
import { startRouter } from './shell/router'
import { registerServiceWorker } from './shell/sw-register'
import { initSync } from './features/sync/start'
import './styles.css'

initLanguage()
startRouter()
initSync()
render(<App />, document.getElementById('app')!)
registerServiceWorker()
