// @peculiar/x509 depends on tsyringe, which refuses to load unless `Reflect.getMetadata`
// exists. Only the few metadata calls tsyringe makes are provided, so the project needs no
// `reflect-metadata` dependency. Import this module before '@peculiar/x509' (x509.ts does).
type MetadataStore = WeakMap<object, Map<string | symbol | undefined, Map<unknown, unknown>>>;

const store: MetadataStore = new WeakMap();

function own(
  target: object,
  property: string | symbol | undefined,
  create: boolean,
): Map<unknown, unknown> | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let metadata = byProperty.get(property);
  if (!metadata && create) {
    metadata = new Map();
    byProperty.set(property, metadata);
  }
  return metadata;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  const getOwnMetadata = (key: unknown, target: object, property?: string | symbol) =>
    own(target, property, false)?.get(key);
  const getMetadata = (key: unknown, target: object, property?: string | symbol): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const value = own(t, property, false);
      if (value?.has(key)) return value.get(key);
    }
    return undefined;
  };
  const defineMetadata = (key: unknown, value: unknown, target: object, property?: string | symbol) => {
    own(target, property, true)!.set(key, value);
  };
  Object.assign(reflect, {
    getOwnMetadata,
    getMetadata,
    defineMetadata,
    hasMetadata: (key: unknown, target: object, property?: string | symbol) =>
      getMetadata(key, target, property) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: object, property?: string | symbol) =>
      defineMetadata(key, value, target, property),
  });
}

export {};
