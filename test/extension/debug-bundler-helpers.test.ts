// The Variables view's Module scope lists the user's variables before esbuild's helpers.
import { expect, test } from 'vitest';
import {
  ModuleScopeOrder,
  helpersLast,
  isBundlerHelper,
} from '../../src/extension/debug/bundler-helpers';

const bundleScope = [
  '__commonJS',
  '__create',
  '__defProp',
  '__name',
  '__toESM',
  'a',
  'b',
  'P',
  'Q',
  'require_gradlens',
  'torch',
].map((name) => ({ name, value: '…' }));

test('esbuild helpers and module wrappers are told from user variables', () => {
  expect(bundleScope.filter((v) => isBundlerHelper(v.name)).map((v) => v.name)).toEqual([
    '__commonJS',
    '__create',
    '__defProp',
    '__name',
    '__toESM',
    'require_gradlens',
  ]);
  expect(isBundlerHelper('_private')).toBe(false);
  expect(isBundlerHelper('requireGrad')).toBe(false);
});

test('helpers go last, each group in its own order', () => {
  expect(helpersLast(bundleScope).map((v) => v.name)).toEqual([
    'a',
    'b',
    'P',
    'Q',
    'torch',
    '__commonJS',
    '__create',
    '__defProp',
    '__name',
    '__toESM',
    'require_gradlens',
  ]);
});

test("only the Module scope's variables responses are reordered, while the program is paused", () => {
  const order = new ModuleScopeOrder();
  order.sent({
    type: 'response',
    command: 'scopes',
    body: {
      scopes: [
        { name: 'Local', variablesReference: 7 },
        { name: 'Module', variablesReference: 8 },
      ],
    },
  });
  order.request({
    type: 'request',
    seq: 20,
    command: 'variables',
    arguments: { variablesReference: 8 },
  });
  order.request({
    type: 'request',
    seq: 21,
    command: 'variables',
    arguments: { variablesReference: 7 },
  });
  const moduleVars = {
    type: 'response',
    command: 'variables',
    request_seq: 20,
    body: { variables: [...bundleScope] },
  };
  const localVars = {
    type: 'response',
    command: 'variables',
    request_seq: 21,
    body: { variables: [...bundleScope] },
  };
  order.sent(moduleVars);
  order.sent(localVars);
  expect(moduleVars.body.variables[0].name).toBe('a');
  expect(localVars.body.variables[0].name).toBe('__commonJS');

  order.sent({ type: 'event', event: 'continued' });
  order.request({
    type: 'request',
    seq: 30,
    command: 'variables',
    arguments: { variablesReference: 8 },
  });
  const later = {
    type: 'response',
    command: 'variables',
    request_seq: 30,
    body: { variables: [...bundleScope] },
  };
  order.sent(later);
  expect(later.body.variables[0].name).toBe('__commonJS');
});
