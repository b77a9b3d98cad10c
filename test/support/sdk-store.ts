// One S3 store behind every S3Client that aws-sdk-client-mock stubs: objects put are stored,
// read back and deleted, and uploads opened and closed, where the policy of the request's access
// key allows; elsewhere 403 AccessDenied. For tests of the engine through the real SdkS3Port.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { AwsClientStub } from "aws-sdk-client-mock";

type Action = "put" | "get" | "delete" | "abort";
/** An identity's rights: may `action` be done on `key`? */
export type Policy = (action: Action, key: string) => boolean;

/** A real S3 exception, as the SDK throws it; `headers` are the raw response's (x-amz-bucket-region, date). */
export function s3Error(name: string, status: number, headers: Record<string, string> = {}): S3ServiceException {
  const error = new S3ServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, message: name });
  return Object.assign(error, { $response: { statusCode: status, headers, body: undefined } });
}

export function denied(name = "AccessDenied", status = 403): S3ServiceException {
  return s3Error(name, status);
}

/** The one method of a streamed body that the port uses. */
export function bodyOf(bytes: Uint8Array): GetObjectCommandOutput["Body"] {
  return { transformToByteArray: async () => bytes } as unknown as GetObjectCommandOutput["Body"];
}

/** Returns the store's objects, to see what is left. */
export function mockStore(s3: AwsClientStub<S3Client>, policyOf: (accessKeyId: string) => Policy): Map<string, Uint8Array> {
  const objects = new Map<string, Uint8Array>();
  const uploads = new Set<string>();
  const guarded =
    <I extends { Key?: string }>(action: Action, answer: (input: I) => unknown) =>
    async (input: I, getClient: () => S3Client) => {
      const { accessKeyId } = await getClient().config.credentials();
      if (!policyOf(accessKeyId)(action, input.Key ?? "")) throw denied();
      return answer(input);
    };
  // The reference policies grant ListBucket bucket-wide: every identity sees every key.
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
    $metadata: { httpStatusCode: 200 },
    Contents: [...objects.keys()].filter((key) => key.startsWith(input.Prefix ?? "")).map((Key) => ({ Key })),
  }));
  s3.on(HeadBucketCommand).resolves({ $metadata: { httpStatusCode: 200 } });
  s3.on(GetBucketLocationCommand).resolves({ $metadata: { httpStatusCode: 200 }, LocationConstraint: undefined });
  s3.on(PutObjectCommand).callsFake(
    guarded("put", (input: PutObjectCommandInput) => {
      // As S3 does: the policy first (guarded), then the condition.
      if (input.IfNoneMatch === "*" && objects.has(input.Key as string)) throw s3Error("PreconditionFailed", 412);
      objects.set(input.Key as string, input.Body as Uint8Array);
      return { $metadata: { httpStatusCode: 200 } };
    }),
  );
  s3.on(HeadObjectCommand).callsFake(guarded("get", () => ({ $metadata: { httpStatusCode: 200 } })));
  s3.on(GetObjectCommand).callsFake(
    guarded("get", (input: { Key?: string }) => ({
      $metadata: { httpStatusCode: 200 },
      Body: bodyOf(objects.get(input.Key ?? "") ?? new Uint8Array()),
    })),
  );
  s3.on(DeleteObjectCommand).callsFake(
    guarded("delete", (input: { Key?: string }) => {
      objects.delete(input.Key ?? "");
      return { $metadata: { httpStatusCode: 204 } };
    }),
  );
  s3.on(CreateMultipartUploadCommand).callsFake(
    guarded("put", (input: { Key?: string }) => {
      uploads.add(`upload-${input.Key}`);
      return { $metadata: { httpStatusCode: 200 }, UploadId: `upload-${input.Key}` };
    }),
  );
  s3.on(UploadPartCommand).callsFake(guarded("put", () => ({ $metadata: { httpStatusCode: 200 }, ETag: '"part-1"' })));
  s3.on(CompleteMultipartUploadCommand).callsFake(
    guarded("put", (input: { Key?: string; UploadId?: string }) => {
      uploads.delete(input.UploadId ?? "");
      objects.set(input.Key ?? "", new Uint8Array());
      return { $metadata: { httpStatusCode: 200 } };
    }),
  );
  s3.on(AbortMultipartUploadCommand).callsFake(
    guarded("abort", (input: { Key?: string; UploadId?: string }) => {
      if (!uploads.delete(input.UploadId ?? "")) throw denied("NoSuchUpload", 404);
      return { $metadata: { httpStatusCode: 204 } };
    }),
  );
  return objects;
}
