// The hook the inspection page keeps its answers with: one AnswerBook per inspection (a new one once it is
// signed, read-only), re-rendering on every change, sending again when the network is back, and sending what
// waits when the page closes.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { onRetry } from '../online'
import { AnswerBook, type ItemView } from './answers'
import type { InspectionDetail } from './types'

export function useAnswerBook(
  detail: InspectionDetail,
  onCompleted: () => void,
): [AnswerBook, Readonly<Record<string, ItemView>>] {
  const completed = useRef(onCompleted)
  completed.current = onCompleted
  // `detail` is read once per inspection and state: later answers come from the book, not from a re-read.
  const book = useMemo(() => new AnswerBook(detail, undefined, () => completed.current()), [detail.id, detail.state])
  const [items, setItems] = useState(book.items)
  useEffect(() => {
    setItems(book.items)
    const stop = book.subscribe(() => setItems(book.items))
    const stopRetry = onRetry(() => book.retry())
    // A reload or a closed tab loses what has not gone up yet: the browser asks first.
    const warn = (event: BeforeUnloadEvent) => {
      if (book.unsaved().some((key) => book.item(key).state !== 'rejected')) event.preventDefault()
    }
    window.addEventListener('beforeunload', warn)
    return () => {
      stop()
      stopRetry()
      window.removeEventListener('beforeunload', warn)
      book.close()
    }
  }, [book])
  return [book, items]
}
