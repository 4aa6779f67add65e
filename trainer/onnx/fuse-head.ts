// Appends the trained embedding head (Dense/Sigmoid/Tanh with L2 normalisations, input
// standardisation already folded into its first layer) to a backbone graph's feature output.
import { floatTensor, int64Tensor, type Graph } from './ir.js';
import { HEAD_LAYERS, type HeadWeights } from '../training/head-weights.js';

const OP = { sigmoid: 'Sigmoid', tanh: 'Tanh' } as const;

/** Rewrites g so that its single output is the unit-length embedding `output` ([N, 128]). */
export function fuseHead(g: Graph, features: string, head: HeadWeights, output = 'embedding'): Graph {
  const nodes = [...g.nodes], initializers = [...g.initializers];
  const add = (opType: string, inputs: string[], name: string, attrs?: Record<string, number>) => {
    nodes.push({ opType, name, inputs, outputs: [name], attrs });
    return name;
  };
  initializers.push(int64Tensor('head.l2_axes', [1]), floatTensor('head.l2_eps', [], Float32Array.of(1e-12)));
  const l2 = (x: string, name: string) => {
    const ss = add('ReduceSum', [add('Mul', [x, x], `${name}_sq`), 'head.l2_axes'], `${name}_sumsq`, { keepdims: 1 });
    return add('Div', [x, add('Sqrt', [add('Max', [ss, 'head.l2_eps'], `${name}_clamp`)], `${name}_norm`)], name);
  };
  let x = features;
  head.layers.forEach((d, i) => {
    initializers.push(floatTensor(`head.dense${i}.weight`, [d.inDim, d.outDim], d.kernel), floatTensor(`head.dense${i}.bias`, [d.outDim], d.bias));
    const z = add('Add', [add('MatMul', [x, `head.dense${i}.weight`], `head.dense${i}_mm`), `head.dense${i}.bias`], `head.dense${i}`);
    x = add(OP[HEAD_LAYERS[i].activation], [z], `head.act${i}`);
    if (HEAD_LAYERS[i].l2After) x = l2(x, i === head.layers.length - 1 ? output : `head.l2_${i}`);
  });
  if (x !== output) throw new Error('fuseHead: the head must end with an L2 normalisation');
  return { ...g, nodes, initializers, outputs: [{ name: output, dataType: 1, shape: ['N', head.layers.at(-1)!.outDim] }] };
}
