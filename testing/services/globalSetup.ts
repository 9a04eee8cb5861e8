import type { TestProject } from 'vitest/node';
import { resolveServices } from './resolveServices.js';
import type { TestServices } from './TestServices.js';

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

/** Resolves the services once for the whole integration run and hands them to the tests via `inject`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { services, stop } = await resolveServices(process.env);
  console.log(`integration services (${services.origin}): kafka ${services.kafkaBrokers.join(',')}, prometheus ${services.prometheusUrl}`);
  project.provide('services', services);
  return stop;
}
