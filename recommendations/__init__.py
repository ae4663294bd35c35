"""Programs recommended for a job title and a person: ranked from the institutions' catalogs, each
with the reason, in the request's language, beside the occupation's outlook and wages."""
