// Where the local setup's codec server listens and keeps its token: shared by the codec server
// and its clients, in a module of its own so the CLI loads nothing else of the server for them.
export const DEFAULT_CODEC_SERVER_PORT = 8234;
/** The endpoint clients use unless TEMPORAL_CODEC_ENDPOINT says otherwise. */
export const DEFAULT_CODEC_ENDPOINT = `http://127.0.0.1:${DEFAULT_CODEC_SERVER_PORT}`;
/** The token file `npm run temporal` creates on first use. */
export const DEFAULT_CODEC_SERVER_TOKEN_REF = 'file:.data/codec-server-token';
