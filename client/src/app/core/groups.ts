/** The directory group whose members may open Analytics (the API enforces the same). */
export const ANALYSTS_GROUP = 'analysts';
