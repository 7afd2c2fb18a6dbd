import {
  buildSchema,
  GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';

/** A field's resolver, or a subscription field's `subscribe` with the `resolve` of each payload. */
export type FieldResolver =
  | GraphQLFieldResolver<unknown, unknown>
  | {
      readonly subscribe: GraphQLFieldResolver<unknown, unknown>;
      readonly resolve?: GraphQLFieldResolver<unknown, unknown>;
    };

/** Resolvers by type and field, and the custom scalars' implementations by name. */
export type Resolvers = Readonly<
  Record<string, GraphQLScalarType | Readonly<Record<string, FieldResolver>>>
>;

/**
 * The schema the SDL describes, with the resolvers set on its fields and the scalars'
 * implementations on its scalars. A resolver for a type or field the SDL lacks is a mistake: refused.
 */
export function executableSchema(sdl: string, resolvers: Resolvers): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [typeName, given] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (given instanceof GraphQLScalarType) {
      if (!(type instanceof GraphQLScalarType))
        throw new Error(`the schema has no scalar ${typeName}`);
      Object.assign(type, {
        serialize: given.serialize,
        parseValue: given.parseValue,
        parseLiteral: given.parseLiteral,
      });
      continue;
    }
    if (!(type instanceof GraphQLObjectType)) throw new Error(`the schema has no type ${typeName}`);
    const fields = type.getFields();
    for (const [fieldName, resolver] of Object.entries(given)) {
      const field = fields[fieldName];
      if (!field) throw new Error(`the schema has no field ${typeName}.${fieldName}`);
      if (typeof resolver === 'function') field.resolve = resolver;
      else {
        field.subscribe = resolver.subscribe;
        if (resolver.resolve) field.resolve = resolver.resolve;
      }
    }
  }
  return schema;
}
