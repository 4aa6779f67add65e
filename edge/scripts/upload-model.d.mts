// Types for upload-model.mjs (imported by scripts/deploy.ts).
export interface UploadObject { key: string; path: string; sha256: string }
export interface UploadPlan { modelVersion: string; manifestKey: string; objects: UploadObject[] }
export interface UploadTarget { bucket: string; remote?: boolean; env?: string; persistTo?: string }
export function modelUploadPlan(o?: { root?: string; manifest?: string; prefix?: string }): UploadPlan;
export function uploadCommands(plan: UploadPlan, o: UploadTarget): string[][];
export function uploadModel(o: UploadTarget & {
  root?: string; manifest?: string; prefix?: string;
  exec?: (wranglerArgs: string[]) => unknown; log?: (m: string) => void;
}): UploadPlan;
