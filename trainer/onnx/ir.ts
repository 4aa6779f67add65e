// A minimal in-memory ONNX graph (nodes, initialisers, typed inputs/outputs) that the converter,
// the head fusion and the quantiser build and rewrite before it is serialised by proto.ts.

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

export type TensorData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

export interface Tensor {
  name: string;
  dims: number[];
  dataType: DataTypeId;
  data: TensorData;
  /**
   * The values lie exactly on an affine 8-bit grid, value = scale[c] · (q − zeroPoint) with integer
   * q ∈ [0, 255] per output channel c (source weights that were uint8-quantised): a quantiser can
   * store them losslessly.
   */
  grid?: WeightGrid;
}

export interface WeightGrid { zeroPoint: number; scale: Float32Array }

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] };

export interface Node {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

export interface ValueInfo {
  name: string;
  dataType: DataTypeId;
  /** A string is a symbolic dimension (e.g. 'N'); undefined leaves the shape unknown. */
  shape?: (number | string)[];
}

export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface Model {
  graph: Graph;
  opset: number;
  producer: string;
  metadata?: Record<string, string>;
}

export const floatTensor = (name: string, dims: number[], data: Float32Array): Tensor => ({
  name, dims, dataType: DataType.FLOAT, data,
});

export const int64Tensor = (name: string, values: number[]): Tensor => ({
  name, dims: [values.length], dataType: DataType.INT64, data: BigInt64Array.from(values.map(BigInt)),
});

/** Appends nodes with unique names; keeps graph construction readable. */
export class GraphBuilder {
  readonly graph: Graph;
  private counter = 0;

  constructor(name: string) {
    this.graph = { name, nodes: [], initializers: [], inputs: [], outputs: [] };
  }

  init(t: Tensor): string {
    this.graph.initializers.push(t);
    return t.name;
  }

  node(opType: string, inputs: string[], attrs?: Node['attrs'], name?: string): string {
    const n = name ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.graph.nodes.push({ opType, name: n, inputs, outputs: [n], attrs });
    return n;
  }
}
