/**
 * The compiled library, loaded at run time: the runner builds dist/ first, so it cannot be a
 * static import. Types come from src/ so type-checking does not need a build.
 */
import { pathToFileURL } from 'node:url';
import { DIST_INDEX } from './paths.ts';

export type Library = typeof import('../../src/index.ts');

let lib: Promise<Library> | undefined;

export function library(): Promise<Library> {
  lib ??= import(pathToFileURL(DIST_INDEX).href) as Promise<Library>;
  return lib;
}
