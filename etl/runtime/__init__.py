"""How the embedded Airflow is set up and driven, without importing airflow."""
