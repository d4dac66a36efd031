"""MercadoLibre sync: typed client, local fake marketplace, jobs, worker and API."""
