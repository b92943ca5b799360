/** Local resource names: `san-<id>` in kebab case (`san-ingest-tasks`); a queue's dead-letter queue is `san-<id>-dlq`. */
export const localName = (id: string): string => `san-${id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
