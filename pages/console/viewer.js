// What the signed-in staff member may do, from `viewer`, to decide what to offer. The API
// still decides: a refusal it answers is shown, never hidden.
export function abilities(viewer) {
  const all = viewer.isAdministrator || viewer.isSuperuser;
  const companyEdit = all || viewer.roles.includes("companyEdit");
  const crm = viewer.roles.includes("crmCompanyEdit");
  return {
    addPunchoutCustomer: all,
    readKey: all,
    manageConnection: all,
    editCompanies: companyEdit,
    editCustomers: companyEdit || crm,
    reachCompanies: companyEdit || crm,
    summary: viewer.isAdministrator ? "administrator" : viewer.isSuperuser ? "superuser"
      : viewer.roles.length ? viewer.roles.join(", ") : "no staff role",
  };
}
