// What the console page hands its browser code as data (a JSON block, not script): the plain-words
// message for every API error code and the face alignment spec of the serving manifest, so the
// browser can redraw the aligned crop the model saw. Types only on the Worker side; shared with
// edge/console-app/ (the browser module), which must not import Worker code.
import type { AlignSpec } from '../../../models/contract/face/align';

export interface ConsoleFaceSpec {
  /** The canvas faces are aligned onto (manifest face.align). */
  align: AlignSpec;
  /** Smallest usable face, in pixels of the photo (manifest face.minFaceSize). */
  minFaceSize: number;
  /** The detector's id, for the model panel. */
  detector?: string;
}

export interface ConsoleData {
  messages: Record<string, string>;
  /** null when the manifest has no face pipeline or could not be read when the page was served. */
  face: ConsoleFaceSpec | null;
}
