// saxen ships no types: the part of its API Ferry uses (https://github.com/nikku/saxen#usage).
declare module 'saxen' {
  type Decode = (s: string) => string;
  export class Parser {
    on(
      event: 'openTag',
      cb: (
        name: string,
        getAttrs: () => Record<string, string> | false,
        decode: Decode,
        selfClosing: boolean,
      ) => void,
    ): this;
    on(event: 'closeTag', cb: (name: string, decode: Decode, selfClosing: boolean) => void): this;
    on(event: 'text', cb: (value: string, decode: Decode) => void): this;
    on(event: 'cdata' | 'attention', cb: (value: string) => void): this;
    on(event: 'error' | 'warn', cb: (error: Error) => void): this;
    parse(xml: string): void;
  }
}
