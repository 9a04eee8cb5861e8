/** Whether testcontainers finds a Docker daemon that answers (the client alone is not enough). */
export async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => { reject(new Error('timeout')); }, 15_000).unref()),
    ]);
    return client.info.containerRuntime.host !== '';
  } catch {
    return false;
  }
}
