// Writers for model weight files in the layouts docs/lineage.md ("Weight files") describes:
// safetensors (u64 LE header length N, N bytes of JSON, data) and GGUF v3 (magic, version,
// counts, key-value metadata, tensor infos, padding to general.alignment, tensor data), plus
// deliberately malformed variants for the hub's header checks. Tensor bytes are seeded, so a
// file is the same on every run for the same seed.

import { seededBuffer } from "./harness.mjs";

// Bytes per element of the safetensors dtypes the tests write.
const SAFETENSORS_DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

const elementCount = (shape) => shape.reduce((a, b) => a * b, 1);

function u64le(n) {
	const b = Buffer.alloc(8);
	b.writeBigUInt64LE(BigInt(n));
	return b;
}

function u32le(n) {
	const b = Buffer.alloc(4);
	b.writeUInt32LE(n);
	return b;
}

/** A safetensors file from a raw header object and data section (no checks: for malformed files). */
export function safetensorsRaw(header, data, { headerLength } = {}) {
	let json = Buffer.from(JSON.stringify(header), "utf8");
	// The reference writer pads the header with spaces to a multiple of 8.
	const pad = (8 - (json.length % 8)) % 8;
	json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
	return Buffer.concat([u64le(headerLength ?? json.length), json, data]);
}

/**
 * A well-formed safetensors file. `tensors`: [{name, dtype, shape}], laid out in order with
 * seeded bytes. Returns { bytes, parameters: {dtype: n}, total }.
 */
export function safetensors(tensors, { seed = "st", metadata = { format: "pt" } } = {}) {
	const header = {};
	if (metadata) header.__metadata__ = metadata;
	const parameters = {};
	let total = 0;
	let offset = 0;
	const chunks = [];
	for (const t of tensors) {
		const size = SAFETENSORS_DTYPE_BYTES[t.dtype];
		if (!size) throw new Error(`weights.mjs: no size for dtype ${t.dtype}`);
		const n = elementCount(t.shape);
		const bytes = n * size;
		header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
		chunks.push(seededBuffer(`${seed}/${t.name}`, bytes));
		offset += bytes;
		parameters[t.dtype] = (parameters[t.dtype] ?? 0) + n;
		total += n;
	}
	return { bytes: safetensorsRaw(header, Buffer.concat(chunks)), parameters, total };
}

/** Malformed safetensors files, each with the rule it breaks. */
export const badSafetensors = {
	/** The 8-byte header length says 2^40 bytes (over the 64 MiB Vitrine reads). */
	hugeHeader() {
		return Buffer.concat([u64le(2n ** 40n), Buffer.from('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'), Buffer.alloc(4)]);
	},
	/** Two F32[4] tensors whose byte ranges overlap: a [0, 16) and b [8, 24). */
	overlapping() {
		return safetensorsRaw(
			{
				a: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
				b: { dtype: "F32", shape: [4], data_offsets: [8, 24] },
			},
			seededBuffer("overlap", 24),
		);
	},
	/** F32[4, 4] needs 64 bytes, but its data_offsets give it 32. */
	shapeMismatch() {
		return safetensorsRaw({ w: { dtype: "F32", shape: [4, 4], data_offsets: [0, 32] } }, seededBuffer("mismatch", 32));
	},
};

// ---- GGUF ----

export const GGUF = {
	UINT8: 0,
	INT8: 1,
	UINT16: 2,
	INT16: 3,
	UINT32: 4,
	INT32: 5,
	FLOAT32: 6,
	BOOL: 7,
	STRING: 8,
	ARRAY: 9,
	UINT64: 10,
	INT64: 11,
	FLOAT64: 12,
};

// ggml tensor types the tests write: id, elements per block, bytes per block.
export const GGML = {
	F32: { id: 0, block: 1, bytes: 4 },
	F16: { id: 1, block: 1, bytes: 2 },
	Q4_K: { id: 12, block: 256, bytes: 144 },
	Q6_K: { id: 14, block: 256, bytes: 210 },
};

function ggufString(s) {
	const b = Buffer.from(s, "utf8");
	return Buffer.concat([u64le(b.length), b]);
}

function ggufScalar(type, value) {
	switch (type) {
		case GGUF.UINT8:
			return Buffer.from([value]);
		case GGUF.UINT32:
			return u32le(value);
		case GGUF.INT32: {
			const b = Buffer.alloc(4);
			b.writeInt32LE(value);
			return b;
		}
		case GGUF.FLOAT32: {
			const b = Buffer.alloc(4);
			b.writeFloatLE(value);
			return b;
		}
		case GGUF.BOOL:
			return Buffer.from([value ? 1 : 0]);
		case GGUF.STRING:
			return ggufString(value);
		case GGUF.UINT64:
			return u64le(value);
		default:
			throw new Error(`weights.mjs: GGUF scalar type ${type} not written`);
	}
}

/** One metadata value: [type, value], or [GGUF.ARRAY, elementType, values]. */
function ggufValue(type, value, values) {
	if (type !== GGUF.ARRAY) return Buffer.concat([u32le(type), ggufScalar(type, value)]);
	return Buffer.concat([u32le(GGUF.ARRAY), u32le(value), u64le(values.length), ...values.map((v) => ggufScalar(value, v))]);
}

/**
 * A GGUF v3 file. `kv`: [[key, type, value]] or [[key, GGUF.ARRAY, elementType, values]];
 * `tensors`: [{name, dims, type: GGML.*}] (dims innermost first, as GGUF stores them), laid
 * out in order, each aligned to `alignment` (general.alignment is written when not 32).
 * Returns { bytes, parameters: {typeName: n}, total }.
 */
export function gguf({ kv = [], tensors = [], alignment = 32, seed = "gguf", version = 3 } = {}) {
	const pairs = [...kv];
	if (alignment !== 32) pairs.push(["general.alignment", GGUF.UINT32, alignment]);
	const kvBytes = pairs.map(([key, type, value, values]) => Buffer.concat([ggufString(key), ggufValue(type, value, values)]));
	const typeName = (t) => Object.keys(GGML).find((k) => GGML[k] === t);
	const parameters = {};
	let total = 0;
	let offset = 0;
	const infos = [];
	const data = [];
	for (const t of tensors) {
		const n = elementCount(t.dims);
		if (t.dims[0] % t.type.block !== 0) throw new Error(`weights.mjs: ${t.name} row is not whole blocks`);
		const bytes = (n / t.type.block) * t.type.bytes;
		const padded = Math.ceil(offset / alignment) * alignment;
		if (padded > offset) data.push(Buffer.alloc(padded - offset));
		offset = padded;
		infos.push(Buffer.concat([ggufString(t.name), u32le(t.dims.length), ...t.dims.map(u64le), u32le(t.type.id), u64le(offset)]));
		data.push(seededBuffer(`${seed}/${t.name}`, bytes));
		offset += bytes;
		parameters[typeName(t.type)] = (parameters[typeName(t.type)] ?? 0) + n;
		total += n;
	}
	const head = Buffer.concat([Buffer.from("GGUF"), u32le(version), u64le(tensors.length), u64le(pairs.length), ...kvBytes, ...infos]);
	const pad = Buffer.alloc((alignment - (head.length % alignment)) % alignment);
	return { bytes: Buffer.concat([head, pad, ...data]), parameters, total };
}

/** Malformed GGUF files. */
export const badGguf = {
	/** A metadata key whose u64 length is 2^60 (far past the end of the file). */
	hugeStringLength() {
		return Buffer.concat([Buffer.from("GGUF"), u32le(3), u64le(0), u64le(1), u64le(2n ** 60n), Buffer.from("general.architecture"), Buffer.alloc(64)]);
	},
	/** A llama.cpp-looking file with the wrong magic ("GGML"). */
	badMagic() {
		const good = gguf({ kv: [["general.architecture", GGUF.STRING, "llama"]] }).bytes;
		return Buffer.concat([Buffer.from("GGML"), good.subarray(4)]);
	},
};
