// The part of containerd's gRPC API Berth speaks, written from the public definitions in containerd's
// api/ folder (services/{images,content,leases,namespaces,version,events}/v1, types/descriptor.proto) and the
// google.protobuf well-known types they use. Field numbers and names are the wire interface; everything
// Berth does not call is left out.
//
// It is a protobufjs JSON namespace rather than a .proto file so that it travels inside the bundle: the
// packaged app, the CLI bundle and the store host load it from this module, with no file to find at run
// time. proto-loader's fromJSON turns it into the definition grpc-js needs.

type Field = { type: string; id: number; rule?: 'repeated'; keyType?: string }
type Message = { fields: Record<string, Field> }
type Method = { requestType: string; responseType: string; requestStream?: boolean; responseStream?: boolean }

const f = (type: string, id: number): Field => ({ type, id })
const repeated = (type: string, id: number): Field => ({ type, id, rule: 'repeated' })
const stringMap = (id: number): Field => ({ keyType: 'string', type: 'string', id })
const msg = (fields: Record<string, Field>): Message => ({ fields })
const rpc = (requestType: string, responseType: string, stream: 'in' | 'out' | 'both' | '' = ''): Method => ({
  requestType,
  responseType,
  ...(stream === 'in' || stream === 'both' ? { requestStream: true } : {}),
  ...(stream === 'out' || stream === 'both' ? { responseStream: true } : {}),
})

const TIMESTAMP = 'google.protobuf.Timestamp'
const EMPTY = 'google.protobuf.Empty'
const FIELD_MASK = 'google.protobuf.FieldMask'
const DESCRIPTOR = 'containerd.types.Descriptor'

const google = {
  nested: {
    protobuf: {
      nested: {
        Empty: msg({}),
        Any: msg({ type_url: f('string', 1), value: f('bytes', 2) }),
        Timestamp: msg({ seconds: f('int64', 1), nanos: f('int32', 2) }),
        FieldMask: msg({ paths: repeated('string', 1) }),
      },
    },
  },
}

// containerd/api/types/descriptor.proto (field 4 is reserved upstream).
const types = {
  nested: {
    Descriptor: msg({
      media_type: f('string', 1),
      digest: f('string', 2),
      size: f('int64', 3),
      annotations: stringMap(5),
    }),
  },
}

// containerd/api/services/images/v1/images.proto
const images = {
  nested: {
    Images: {
      methods: {
        Get: rpc('GetImageRequest', 'GetImageResponse'),
        List: rpc('ListImagesRequest', 'ListImagesResponse'),
        Create: rpc('CreateImageRequest', 'CreateImageResponse'),
        Update: rpc('UpdateImageRequest', 'UpdateImageResponse'),
        Delete: rpc('DeleteImageRequest', EMPTY),
      },
    },
    Image: msg({
      name: f('string', 1),
      labels: stringMap(2),
      target: f(DESCRIPTOR, 3),
      created_at: f(TIMESTAMP, 7),
      updated_at: f(TIMESTAMP, 8),
    }),
    GetImageRequest: msg({ name: f('string', 1) }),
    GetImageResponse: msg({ image: f('Image', 1) }),
    CreateImageRequest: msg({ image: f('Image', 1) }),
    CreateImageResponse: msg({ image: f('Image', 1) }),
    UpdateImageRequest: msg({ image: f('Image', 1), update_mask: f(FIELD_MASK, 2) }),
    UpdateImageResponse: msg({ image: f('Image', 1) }),
    ListImagesRequest: msg({ filters: repeated('string', 1) }),
    ListImagesResponse: msg({ images: repeated('Image', 1) }),
    DeleteImageRequest: msg({ name: f('string', 1), sync: f('bool', 2) }),
  },
}

// containerd/api/services/content/v1/content.proto
const content = {
  nested: {
    Content: {
      methods: {
        Info: rpc('InfoRequest', 'InfoResponse'),
        Update: rpc('UpdateRequest', 'UpdateResponse'),
        List: rpc('ListContentRequest', 'ListContentResponse', 'out'),
        Delete: rpc('DeleteContentRequest', EMPTY),
        Read: rpc('ReadContentRequest', 'ReadContentResponse', 'out'),
        Status: rpc('StatusRequest', 'StatusResponse'),
        ListStatuses: rpc('ListStatusesRequest', 'ListStatusesResponse'),
        Write: rpc('WriteContentRequest', 'WriteContentResponse', 'both'),
        Abort: rpc('AbortRequest', EMPTY),
      },
    },
    Info: msg({
      digest: f('string', 1),
      size: f('int64', 2),
      created_at: f(TIMESTAMP, 3),
      updated_at: f(TIMESTAMP, 4),
      labels: stringMap(5),
    }),
    InfoRequest: msg({ digest: f('string', 1) }),
    InfoResponse: msg({ info: f('Info', 1) }),
    UpdateRequest: msg({ info: f('Info', 1), update_mask: f(FIELD_MASK, 2) }),
    UpdateResponse: msg({ info: f('Info', 1) }),
    ListContentRequest: msg({ filters: repeated('string', 1) }),
    ListContentResponse: msg({ info: repeated('Info', 1) }),
    DeleteContentRequest: msg({ digest: f('string', 1) }),
    ReadContentRequest: msg({ digest: f('string', 1), offset: f('int64', 2), size: f('int64', 3) }),
    ReadContentResponse: msg({ offset: f('int64', 1), data: f('bytes', 2) }),
    Status: msg({
      started_at: f(TIMESTAMP, 1),
      updated_at: f(TIMESTAMP, 2),
      ref: f('string', 3),
      offset: f('int64', 4),
      total: f('int64', 5),
      expected: f('string', 6),
    }),
    StatusRequest: msg({ ref: f('string', 1) }),
    StatusResponse: msg({ status: f('Status', 1) }),
    ListStatusesRequest: msg({ filters: repeated('string', 1) }),
    ListStatusesResponse: msg({ statuses: repeated('Status', 1) }),
    WriteAction: { values: { STAT: 0, WRITE: 1, COMMIT: 2 } },
    WriteContentRequest: msg({
      action: f('WriteAction', 1),
      ref: f('string', 2),
      total: f('int64', 3),
      expected: f('string', 4),
      offset: f('int64', 5),
      data: f('bytes', 6),
      labels: stringMap(7),
    }),
    WriteContentResponse: msg({
      action: f('WriteAction', 1),
      started_at: f(TIMESTAMP, 2),
      updated_at: f(TIMESTAMP, 3),
      offset: f('int64', 4),
      total: f('int64', 5),
      digest: f('string', 6),
    }),
    AbortRequest: msg({ ref: f('string', 1) }),
  },
}

// containerd/api/services/leases/v1/leases.proto (CreateRequest's field 2 is unused upstream).
const leases = {
  nested: {
    Leases: {
      methods: {
        Create: rpc('CreateRequest', 'CreateResponse'),
        Delete: rpc('DeleteRequest', EMPTY),
        List: rpc('ListRequest', 'ListResponse'),
        AddResource: rpc('AddResourceRequest', EMPTY),
        DeleteResource: rpc('DeleteResourceRequest', EMPTY),
        ListResources: rpc('ListResourcesRequest', 'ListResourcesResponse'),
      },
    },
    Lease: msg({ id: f('string', 1), created_at: f(TIMESTAMP, 2), labels: stringMap(3) }),
    CreateRequest: msg({ id: f('string', 1), labels: stringMap(3) }),
    CreateResponse: msg({ lease: f('Lease', 1) }),
    DeleteRequest: msg({ id: f('string', 1), sync: f('bool', 2) }),
    ListRequest: msg({ filters: repeated('string', 1) }),
    ListResponse: msg({ leases: repeated('Lease', 1) }),
    Resource: msg({ id: f('string', 1), type: f('string', 2) }),
    AddResourceRequest: msg({ id: f('string', 1), resource: f('Resource', 2) }),
    DeleteResourceRequest: msg({ id: f('string', 1), resource: f('Resource', 2) }),
    ListResourcesRequest: msg({ id: f('string', 1) }),
    ListResourcesResponse: msg({ resources: repeated('Resource', 1) }),
  },
}

// containerd/api/services/namespaces/v1/namespace.proto (the calls Berth makes).
const namespaces = {
  nested: {
    Namespaces: {
      methods: {
        Get: rpc('GetNamespaceRequest', 'GetNamespaceResponse'),
        List: rpc('ListNamespacesRequest', 'ListNamespacesResponse'),
      },
    },
    Namespace: msg({ name: f('string', 1), labels: stringMap(2) }),
    GetNamespaceRequest: msg({ name: f('string', 1) }),
    GetNamespaceResponse: msg({ namespace: f('Namespace', 1) }),
    ListNamespacesRequest: msg({ filter: f('string', 1) }),
    ListNamespacesResponse: msg({ namespaces: repeated('Namespace', 1) }),
  },
}

// containerd/api/services/events/v1/events.proto: Subscribe only. Its Envelope is types/event.proto's
// (containerd 2) or events.proto's own (1.x): the same four fields either way.
const events = {
  nested: {
    Events: { methods: { Subscribe: rpc('SubscribeRequest', 'Envelope', 'out') } },
    SubscribeRequest: msg({ filters: repeated('string', 1) }),
    Envelope: msg({
      timestamp: f(TIMESTAMP, 1),
      namespace: f('string', 2),
      topic: f('string', 3),
      event: f('google.protobuf.Any', 4),
    }),
  },
}

// containerd/api/services/version/v1/version.proto
const version = {
  nested: {
    Version: { methods: { Version: rpc(EMPTY, 'VersionResponse') } },
    VersionResponse: msg({ version: f('string', 1), revision: f('string', 2) }),
  },
}

const v1 = (service: object) => ({ nested: { v1: service } })

/** The whole subset as the .proto files spell it: field names in snake_case. */
const API = {
  nested: {
    google,
    containerd: {
      nested: {
        types,
        services: {
          nested: {
            images: v1(images),
            content: v1(content),
            leases: v1(leases),
            namespaces: v1(namespaces),
            version: v1(version),
            events: v1(events),
          },
        },
      },
    },
  },
}

/** Fully qualified service names, as grpc-js's loaded package nests them. */
export const SERVICES = {
  images: 'containerd.services.images.v1.Images',
  content: 'containerd.services.content.v1.Content',
  leases: 'containerd.services.leases.v1.Leases',
  namespaces: 'containerd.services.namespaces.v1.Namespaces',
  version: 'containerd.services.version.v1.Version',
  events: 'containerd.services.events.v1.Events',
} as const

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/**
 * The subset as grpc-js code sees it: fields camelCased, as protobufjs's parser names them from a .proto
 * (its fromJSON keeps names as given). Names are local to the code; the wire knows only field numbers.
 */
function camelFields(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) {
    out[k] =
      k === 'fields'
        ? Object.fromEntries(Object.entries(v as object).map(([name, field]) => [camel(name), field]))
        : camelFields(v)
  }
  return out
}

/** The protobufjs JSON namespace proto-loader's fromJSON takes. */
export const CONTAINERD_API = camelFields(API) as Record<string, unknown>
