// Placeholder: this module is being written (issue #12).
