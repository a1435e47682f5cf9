// English messages: the console's company picker (admins) and the device a remote-control link opens.

export const consoleAdmin = {
  'console.company': 'Operator company',
  'console.company_all': 'All operator companies',
  'console.companies_failed': 'Could not read the operator companies: {error}',
  'console.control_hint': 'Open the remote control of {device}',
}
