-- One database per service (the services never share tables); run once, on an empty volume,
-- by the postgres image's entrypoint. The `init` service then migrates each one.
CREATE DATABASE intake;
CREATE DATABASE learning;
CREATE DATABASE reporting;
