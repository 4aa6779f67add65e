// The shapes of the API answers the console reads (routes/*.ts and GET /openapi.json describe them).
// Declared here rather than imported: the Worker's modules carry Workers types that clash with the DOM.
import type { AlignSpec, Keypoint, Point } from '../../models/contract/face/align';
import type { Box, PreprocessSpec } from '../../models/contract/preprocess';

export type { Box, Keypoint, Point };

export type Landmarks = Record<Keypoint, Point>;

/** The face an answer used: the detector's (box, landmarks, score, faces found), the caller's box, or the fixed crop. */
export type Face =
  | { source: 'detector'; box: Box; landmarks: Landmarks; score: number; facesFound: number }
  | { source: 'box' | 'crop'; box: Box };

/** One face in an error's details (multiple_faces lists them, face_too_small names the one). */
export interface DetectedFace { box: Box; landmarks?: Landmarks; score?: number; facesFound?: number }

/** The threshold an answer applies and where it came from (model/operating-point.ts). */
export interface OperatingPoint {
  source: 'far' | 'fpir' | 'threshold' | 'cv';
  origin: 'default' | 'request';
  similarity: number;
  score: number;
  far?: number;
  fpir?: number;
  identities?: number;
  /** identify: the comparisons made (gallery rows), the N its default is computed over. */
  comparisons?: number;
  clamped?: boolean;
  measured?: { table: string; far: number; tar: number; falseAccepts: number; impostorPairs: number };
  expectedFpir?: number;
  roc?: { far: number; tar: number };
}

export interface ImpostorTable { source: string; identities: number; images: number; impostorPairs: number; genuinePairs: number }

export interface OperatingPoints {
  settings: { verifyFar: number; identifyFpir: number; floorFar: number };
  impostors: { served: string; tables: Record<string, ImpostorTable> } | null;
  verify: OperatingPoint;
  identify: OperatingPoint | null;
  identifyBySize: OperatingPoint[];
  cv: OperatingPoint;
  floor: { far: number; similarity: number; score: number; from: 'impostors' | 'roc' | 'cv' } | null;
}

export interface ModelInfo {
  modelVersion: string;
  backend: string;
  backbone: { name: string | null; cut: string | null };
  embeddingSize: number;
  threshold: { score: number; similarity: number; method: string };
  preprocess: PreprocessSpec;
  metrics: Record<string, number | string>;
  roc: { pairs: string; points: [number, number][] } | null;
  gallery?: { identities: number; rows?: number } | null;
  operatingPoints?: OperatingPoints;
  /** Present once /v1/model reports the face pipeline; the page's own data is used otherwise. */
  face?: { align?: AlignSpec; minFaceSize?: number; detector?: { id?: string } | string } | null;
}

export interface Health { status: string; backend: string; model: { loaded: boolean; modelVersion?: string | null } }

export interface VerifyAnswer {
  match: boolean;
  similarity: number;
  distance: number;
  threshold: number;
  modelVersion: string;
  faces?: { a: Face; b: Face };
}

export interface Candidate { id: string; match: boolean; similarity: number; distance: number }

export interface IdentifyAnswer {
  match: { id: string; similarity: number; distance: number } | null;
  /** Only for keys with the identify:candidates scope. */
  candidates?: Candidate[];
  threshold: number;
  modelVersion: string;
  gallery: { identities: number };
  face?: Face;
}

export interface Identity {
  id: string;
  modelVersion: string;
  imageCount: number;
  createdAt: number;
  updatedAt: number;
  needsReenrolment: boolean | null;
}

export interface IdentityList { identities: Identity[]; cursor: string | null; modelVersion: string | null }

export interface Enrolled extends Identity { faces?: Face[] }
