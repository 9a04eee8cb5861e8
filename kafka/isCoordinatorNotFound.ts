/**
 * Whether a consumer crash is kafkajs failing to find its group's coordinator: during a broker restart every
 * broker it asks answers with an error or not at all (kafkajs 2.2.4 gives up on the first error other than
 * "coordinator not available", `cluster.findGroupCoordinatorMetadata`). kafkajs marks it non-retriable, so its
 * consumer stops for good (tulios/kafkajs#1445, #1630) although the coordinator is back seconds later. The error
 * may be wrapped (`KafkaJSNonRetriableError` caused by `KafkaJSGroupCoordinatorNotFound`): the cause chain is searched.
 */
export function isCoordinatorNotFound(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 10; depth += 1) {
    const { name, cause } = e as { name?: unknown; cause?: unknown };
    if (name === 'KafkaJSGroupCoordinatorNotFound') return true;
    e = cause;
  }
  return false;
}
