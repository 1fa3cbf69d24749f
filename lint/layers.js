// A layering rule kept by an allow-list, in the spirit of VS Code's
// `code-layering` and `code-import-patterns`: each layer names what it MAY
// import, and every other import is an error. The layers themselves are the
// rule's options, declared in eslint.config.js.
//
// Options: [{
//   root: absolute path the layer folders are relative to (default: ESLint's cwd),
//   layers: [{ name, folders: ['src-main/core', …], mayImport: { layers: [...], packages: [...], nodeBuiltins: bool } }],
//   onlyIn: { package: [layer, …] }  — packages no other file may import, restricted layer or not,
// }]
//
// A file in no layer is unrestricted, except for `onlyIn`. Checked: static
// `import` and `import type`, `export … from`, `export * from`, `import x =
// require()`, `import('x')` types, dynamic `import()` and `require()` calls. A
// dynamic import or require whose argument is not a plain string cannot be
// checked, so in a restricted layer it is an error too.
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUILTINS = new Set(builtinModules);

/** @param {string} specifier */
export function isNodeBuiltin(specifier) {
  return specifier.startsWith('node:') || BUILTINS.has(specifier);
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageName(/** @type {string} */ specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const isRelative = (/** @type {string} */ specifier) =>
  specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');

const toPosix = (/** @type {string} */ p) => p.split(path.sep).join('/');

/** The layer a repo-relative posix path belongs to, or undefined. */
function layerOf(/** @type {string} */ relative, /** @type {any[]} */ layers) {
  if (relative.startsWith('../') || relative === '..' || path.isAbsolute(relative)) return undefined;
  return layers.find((layer) =>
    layer.folders.some((/** @type {string} */ folder) => relative === folder || relative.startsWith(`${folder}/`)),
  );
}

/** What the layer's allow-list reads as, for the message. */
function describeAllowed(/** @type {any} */ layer) {
  const { layers = [], packages = [], nodeBuiltins = false } = layer.mayImport ?? {};
  const parts = [];
  if (layers.length) parts.push(`layers ${layers.join(', ')}`);
  if (nodeBuiltins) parts.push('node built-ins');
  if (packages.length) parts.push(`packages ${packages.join(', ')}`);
  return parts.length ? parts.join('; ') : 'nothing';
}

/** The literal text of an import's argument, or undefined if it is computed. */
function literalSource(/** @type {any} */ node) {
  if (!node) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked ?? undefined;
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer imports only what its allow-list names' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                folders: { type: 'array', items: { type: 'string' }, minItems: 1 },
                mayImport: {
                  type: 'object',
                  properties: {
                    layers: { type: 'array', items: { type: 'string' } },
                    packages: { type: 'array', items: { type: 'string' } },
                    nodeBuiltins: { type: 'boolean' },
                  },
                  additionalProperties: false,
                },
              },
              required: ['name', 'folders', 'mayImport'],
              additionalProperties: false,
            },
          },
          onlyIn: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        required: ['layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      notAllowed:
        "Layer '{{layer}}' may not import '{{specifier}}' ({{target}}). Layer '{{layer}}' may import only: {{allowed}}.",
      onlyIn: "'{{specifier}}' may be imported only from layer {{layers}}, not from {{file}}.",
      computed:
        "Layer '{{layer}}' cannot check a computed import: give import()/require() a string literal. Layer '{{layer}}' may import only: {{allowed}}.",
    },
  },

  create(context) {
    const options = context.options[0] ?? { layers: [] };
    const root = options.root ?? context.cwd;
    const layers = options.layers;
    const onlyIn = options.onlyIn ?? {};
    const names = new Set(layers.map((/** @type {any} */ l) => l.name));
    const named = [
      ...layers.flatMap((/** @type {any} */ l) => l.mayImport.layers ?? []),
      ...Object.values(onlyIn).flat(),
    ];
    const unknown = named.filter((name) => !names.has(name));
    if (unknown.length) throw new Error(`baton/layers: no layer is named ${[...new Set(unknown)].join(', ')}`);
    const filename = context.filename;
    const relativeFile = toPosix(path.relative(root, filename));
    const layer = layerOf(relativeFile, layers);
    const allowed = layer ? describeAllowed(layer) : '';

    /** @returns {{ kind: 'layer', name: string } | { kind: 'none', path: string } | { kind: 'builtin' } | { kind: 'package', name: string }} */
    function classify(/** @type {string} */ specifier) {
      const bare = specifier.replace(/\?.*$/, ''); // Vite's `./x.svg?url`
      if (isRelative(bare) || path.isAbsolute(bare)) {
        const target = toPosix(path.relative(root, path.resolve(path.dirname(filename), bare)));
        const targetLayer = layerOf(target, layers);
        return targetLayer ? { kind: 'layer', name: targetLayer.name } : { kind: 'none', path: target };
      }
      if (isNodeBuiltin(bare)) return { kind: 'builtin' };
      return { kind: 'package', name: packageName(bare) };
    }

    function check(/** @type {any} */ node, /** @type {string} */ specifier) {
      const target = classify(specifier);
      const owners = target.kind === 'package' && Object.hasOwn(onlyIn, target.name) ? onlyIn[target.name] : undefined;
      const forbiddenHere = owners !== undefined && !(layer && owners.includes(layer.name));
      if (!layer) {
        if (forbiddenHere) {
          context.report({
            node,
            messageId: 'onlyIn',
            data: { specifier, layers: owners.join(', '), file: relativeFile },
          });
        }
        return;
      }
      const { layers: okLayers = [], packages = [], nodeBuiltins = false } = layer.mayImport;
      let ok;
      let described;
      switch (target.kind) {
        case 'layer':
          ok = okLayers.includes(target.name);
          described = `layer ${target.name}`;
          break;
        case 'none':
          ok = false;
          described = `${target.path}, which is in no layer`;
          break;
        case 'builtin':
          ok = nodeBuiltins;
          described = 'a node built-in';
          break;
        case 'package':
          ok = packages.includes(target.name) && !forbiddenHere;
          described = owners
            ? `package ${target.name}, which only layer ${owners.join(', ')} may import`
            : `package ${target.name}`;
          break;
      }
      if (!ok) {
        context.report({
          node,
          messageId: 'notAllowed',
          data: { layer: layer.name, specifier, target: described, allowed },
        });
      }
    }

    function checkDynamic(/** @type {any} */ node, /** @type {any} */ argument) {
      const specifier = literalSource(argument);
      if (specifier !== undefined) check(node, specifier);
      else if (layer) context.report({ node, messageId: 'computed', data: { layer: layer.name, allowed } });
    }

    const checkSource = (/** @type {any} */ node) => {
      if (node.source && typeof node.source.value === 'string') check(node, node.source.value);
    };

    return {
      ImportDeclaration: checkSource,
      ExportNamedDeclaration: checkSource,
      ExportAllDeclaration: checkSource,
      ImportExpression: (node) => checkDynamic(node, node.source),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length > 0) {
          checkDynamic(node, node.arguments[0]);
        }
      },
      // TypeScript only: `import x = require('y')` and `typeof import('y')`.
      /** @param {any} node */
      TSExternalModuleReference(node) {
        checkDynamic(node, node.expression);
      },
      /** @param {any} node */
      TSImportType(node) {
        const argument = node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument;
        checkDynamic(node, argument);
      },
    };
  },
};

export default {
  meta: { name: 'baton-lint', version: '1.0.0' },
  rules: { layers: layersRule },
};
