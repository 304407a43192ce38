// The stopword package ships no types; the digest uses only its English list.
declare module 'stopword' {
  export const eng: string[];
}
