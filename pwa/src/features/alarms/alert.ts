// The sound and the buzz of a new alarm: a short two-tone beep from an oscillator (no audio file to fetch or
// cache) and a vibration where the phone has one. Browsers allow audio only after the user has interacted
// with the page; without that the beep stays silent and nothing else happens.

// Two short pulses, as the brief asks; long enough to feel in a pocket, short enough not to annoy.
const VIBRATION_MS = [300, 100, 300]
// Two 880 Hz beeps of 0.18 s with a gap: A5 cuts through market noise without being shrill.
const BEEP_HZ = 880
const BEEP_S = 0.18
const GAP_S = 0.12
const VOLUME = 0.2

let context: AudioContext | undefined

function audioContext(): AudioContext | undefined {
  const Context =
    globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (!Context) return undefined
  context ??= new Context()
  // Suspended until a user gesture; resume() is refused before that. Nothing to do about it here.
  if (context.state === 'suspended') context.resume().catch(() => undefined)
  return context
}

function beep(): void {
  const audio = audioContext()
  if (!audio) return
  const start = audio.currentTime + 0.01
  for (const offset of [0, BEEP_S + GAP_S]) {
    const oscillator = audio.createOscillator()
    const gain = audio.createGain()
    oscillator.type = 'square'
    oscillator.frequency.value = BEEP_HZ
    gain.gain.setValueAtTime(VOLUME, start + offset)
    gain.gain.exponentialRampToValueAtTime(0.001, start + offset + BEEP_S)
    oscillator.connect(gain).connect(audio.destination)
    oscillator.start(start + offset)
    oscillator.stop(start + offset + BEEP_S)
  }
}

/** Sound and vibrate for a new alarm. Never throws: a blocked or missing feature is skipped silently. */
export function alertNewAlarm(): void {
  try {
    beep()
  } catch {
    // no audio on this device, or blocked
  }
  try {
    globalThis.navigator?.vibrate?.(VIBRATION_MS)
  } catch {
    // no vibration motor, or blocked
  }
}

/**
 * Create the audio context during a user gesture (the tap that opened the site page), so that a beep later,
 * with no tap, is allowed to sound. Call once from a page that may alert; returns the clean-up function.
 */
export function primeAudioOnGesture(): () => void {
  if (typeof window === 'undefined') return () => undefined
  const prime = () => {
    try {
      audioContext()
    } catch {
      // ignored: see alertNewAlarm
    }
    stop()
  }
  const stop = () => {
    window.removeEventListener('pointerdown', prime)
    window.removeEventListener('keydown', prime)
  }
  window.addEventListener('pointerdown', prime, { passive: true })
  window.addEventListener('keydown', prime)
  return stop
}
