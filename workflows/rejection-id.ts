/** A rejection's business key (e.g. the ATS application id): one sequence per id, and the workflow id is made of it. */
export const REJECTION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const REJECTION_ID_PROBLEM = 'must be 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';
