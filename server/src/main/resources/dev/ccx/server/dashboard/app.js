// placeholder: the dashboard is being written
