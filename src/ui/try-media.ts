/**
 * The Try panel's inputs from the browser: files dropped, pasted or picked; audio that is not a WAV decoded by the
 * page's AudioContext into one the VAD pipeline reads; the microphone recorded through a MediaRecorder.
 */
import { floatWav, isWav, mixDown } from './model/try.ts';

export interface InputFile {
  name: string;
  bytes: Uint8Array;
  /** What the page did to it before the pipeline (decoded from MP3, recorded). */
  note?: string;
}

export const readFile = async (file: Blob & { name?: string }, name = file.name ?? 'input'): Promise<InputFile> => ({
  name,
  bytes: new Uint8Array(await file.arrayBuffer()),
});

/** Whether a paste is meant for the panel: made inside it, or while it is on screen (not on a text field). */
function pasteForPanel(target: HTMLElement | null, zone: HTMLElement): boolean {
  if (target?.closest('textarea, input, select')) return false;
  const panel = zone.closest('section') ?? zone;
  if (target && panel.contains(target)) return true;
  const r = panel.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight;
}

/** Files dropped on `zone`, pasted while `active()` and the panel is the one in view, or picked with `picker`, handed to `take`. */
export function acceptFiles(zone: HTMLElement, picker: HTMLInputElement, active: () => boolean, take: (f: InputFile) => void): void {
  const first = (files: FileList | null | undefined) => files?.[0] && void readFile(files[0]).then(take);
  picker.addEventListener('change', () => {
    first(picker.files);
    picker.value = '';
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    first(e.dataTransfer?.files);
  });
  document.addEventListener('paste', (e) => {
    const target = e.target as HTMLElement | null;
    if (!active() || !pasteForPanel(target, zone)) return;
    const file = [...(e.clipboardData?.files ?? [])][0];
    if (!file) return;
    e.preventDefault();
    void readFile(file, file.name || 'pasted-image').then(take);
  });
}

/**
 * Audio as the VAD pipeline takes it: a WAV as it is (the pipeline reads and resamples it); anything else decoded by
 * the browser (MP3, Ogg, WebM from the microphone) and handed over as a float WAV at the rate it decoded to. What the
 * browser cannot decode goes on as it is, so the run ends with the pipeline's reason naming the file.
 */
export async function asWav(input: InputFile): Promise<InputFile> {
  if (isWav(input.bytes)) return input;
  const context = new AudioContext();
  try {
    const audio = await context.decodeAudioData(input.bytes.slice().buffer);
    const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
    return {
      name: `${input.name} (decoded)`,
      bytes: floatWav(mixDown(channels), audio.sampleRate),
      note: `${input.name} is not a WAV: the browser decoded it (${audio.numberOfChannels} channel${audio.numberOfChannels === 1 ? '' : 's'}, ${audio.sampleRate} Hz, ${audio.duration.toFixed(2)} s) and the pipeline resampled it to 16 kHz mono.`,
    };
  } catch {
    return { ...input, note: `${input.name} is neither a WAV nor audio this browser can decode (MP3, Ogg, WebM…).` };
  } finally {
    void context.close();
  }
}

/** Why the microphone could not be used, in words. */
export function micProblem(err: unknown): string {
  const name = (err as Error)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'The microphone was not allowed: permission was denied (allow it in the address bar, or upload a WAV/MP3 instead).';
  if (name === 'NotFoundError') return 'No microphone was found on this device: upload a WAV/MP3 instead.';
  return `The microphone could not be opened: ${(err as Error)?.message ?? String(err)}.`;
}

/** Record from the microphone until `stop()` resolves the recording (whatever container the browser records in). */
export async function record(): Promise<{ stop(): Promise<InputFile> }> {
  if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('this page cannot reach a microphone (no mediaDevices)'), { name: 'NotFoundError' });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const recorder = new MediaRecorder(stream);
  const chunks: Blob[] = [];
  recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));
  recorder.start();
  return {
    stop: () =>
      new Promise((resolve) => {
        recorder.addEventListener('stop', () => {
          stream.getTracks().forEach((t) => t.stop());
          void readFile(new Blob(chunks, { type: recorder.mimeType }), 'microphone-recording').then(resolve);
        });
        recorder.stop();
      }),
  };
}
