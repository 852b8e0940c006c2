// The workflows the Onward worker registers.
export { rejectionFollowUp } from './rejection-follow-up';
