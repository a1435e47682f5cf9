// The console's tone for a new unacknowledged alarm: a short WebAudio beep (no file to fetch), a mute remembered
// on this device, and the user gesture browsers ask for before a page may make a sound.

const MUTE_KEY = 'andian.console.muted'
// One 1 kHz tone of a quarter second: audible over a control room's noise, short enough to repeat.
const TONE_HZ = 1000
const TONE_S = 0.25
const VOLUME = 0.25

let context: AudioContext | undefined

function audioClass(): typeof AudioContext | undefined {
  return globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
}

export function isMuted(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): boolean {
  try {
    return storage?.getItem(MUTE_KEY) === '1'
  } catch {
    return false
  }
}

export function setMuted(muted: boolean, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(MUTE_KEY, muted ? '1' : '0')
  } catch {
    // private mode: the choice lasts until the page closes
  }
}

/** Whether the browser lets the page sound now (a gesture has unlocked audio). */
export function soundReady(): boolean {
  return context?.state === 'running'
}

/** Call from a click: creates or resumes the audio context, which browsers allow only during a user gesture. */
export async function unlockSound(): Promise<boolean> {
  const Audio = audioClass()
  if (!Audio) return false
  context ??= new Audio()
  if (context.state === 'suspended') await context.resume().catch(() => undefined)
  return context.state === 'running'
}

/** Play the tone unless muted or not yet unlocked; never throws. Answers whether it sounded. */
export function playTone(): boolean {
  if (isMuted() || !context || context.state !== 'running') return false
  try {
    const start = context.currentTime + 0.01
    const oscillator = context.createOscillator()
    const gain = context.createGain()
    oscillator.type = 'sine'
    oscillator.frequency.value = TONE_HZ
    gain.gain.setValueAtTime(VOLUME, start)
    gain.gain.exponentialRampToValueAtTime(0.001, start + TONE_S)
    oscillator.connect(gain).connect(context.destination)
    oscillator.start(start)
    oscillator.stop(start + TONE_S)
    return true
  } catch {
    return false
  }
}
