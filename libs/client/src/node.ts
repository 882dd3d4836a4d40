// `@takes/client/node`: what only runs in Node (the file storage). The main entry has no Node-only APIs.
export { FileStorage } from './file-storage';
