// Handing a file fetched with the token (a plain link cannot send it) to the browser's download: Android and desktop
// save it, iOS shows it with a share button.

/** Click a hidden download link to `url` (an object URL) under `name`. */
export function downloadUrl(url: string, name: string): void {
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.rel = 'noopener'
  document.body.appendChild(link)
  link.click()
  link.remove()
}

/** Download `blob` under `name`; its object URL is let go once the browser surely has the bytes. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  downloadUrl(url, name)
  // The download has the bytes once the click is handled; keep the URL a little for slow browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
