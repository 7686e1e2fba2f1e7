// TEST DOUBLE of a Symbol node — the errors a catapult-rest look-alike front answers with: status, REST error code
// (`InvalidArgument`, `ResourceNotFound`, …) and message, as catapult-rest words them.

export class RestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** 409 InvalidArgument; the default message is catapult-rest's `parseArgument` one. */
export const invalid = (name: string, message = `${name} has an invalid format`): RestError =>
  new RestError(409, 'InvalidArgument', message);

export const notFound = (id: string): RestError =>
  new RestError(404, 'ResourceNotFound', `no resource exists with id '${id}'`);
