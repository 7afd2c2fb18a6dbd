/**
 * An operation's text, carrying the types generated for it (what it answers and the variables it
 * takes), so that the hooks sending it check both. The types are phantoms: nothing but the text exists.
 */
export type Operation<Result, Variables> = string & {
  readonly '~result'?: Result;
  readonly '~variables'?: Variables;
};

export const operation = <Result, Variables>(text: string) => text as Operation<Result, Variables>;

/** The variables argument: optional when the operation needs none. */
export type VariablesArg<Variables> =
  Record<string, never> extends Variables ? [Variables?] : [Variables];
