/** Who calls the API, once an auth scheme has verified it. */

/** A customer, as a verified token names them. */
export interface CustomerPrincipal {
  kind: 'customer';
  customerId: string;
  email?: string;
}

/** Support staff, by the admin token. */
export interface AdminPrincipal {
  kind: 'admin';
}
