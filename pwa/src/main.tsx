import { render } from 'preact'
import { App } from './app'
import { initLanguage } from './i18n'
import { startRouter } from './router'
import { registerServiceWorker } from './sw-register'
import { initSync } from './sync/start'
import './styles.css'

initLanguage()
startRouter()
initSync()
render(<App />, document.getElementById('app')!)
registerServiceWorker()
