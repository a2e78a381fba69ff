#!/bin/sh
# compose.yaml's PostgreSQL runs this once, when it creates its data volume: it
# lets `make services` on the host base-backup it for the streaming replica the
# replica tests use (scripts/replica.py). Host connections reach the container
# from Docker's network, not 127.0.0.1; SCRAM, as every other connection here.
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
