// Simplified Chinese messages: the console's company picker (admins) and the device a remote-control link opens.

export const consoleAdmin = {
  'console.company': '运营单位',
  'console.company_all': '全部运营单位',
  'console.companies_failed': '无法读取运营单位列表：{error}',
  'console.control_hint': '打开 {device} 的远程控制',
}
