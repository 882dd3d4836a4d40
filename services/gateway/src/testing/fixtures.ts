/** An entity with a field of every type (Rocket's JSON). */
export const inspectionEntity = {
  name: 'inspection',
  table: 'inspections',
  primary_key: { field: 'id', type: 'uuid', generated: true },
  soft_delete: true,
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'site', type: 'string', required: true },
    { name: 'notes', type: 'text', nullable: true },
    { name: 'readings', type: 'int', default: 0 },
    { name: 'meter_total', type: 'bigint', nullable: true },
    { name: 'pressure', type: 'decimal', precision: 2, nullable: true },
    { name: 'passed', type: 'boolean', default: false },
    { name: 'inspector_id', type: 'uuid', nullable: true },
    { name: 'inspected_at', type: 'timestamp', nullable: true },
    { name: 'due_on', type: 'date', nullable: true },
    { name: 'extra', type: 'json', nullable: true },
    { name: 'status', type: 'string', enum: ['draft', 'submitted', 'approved'], default: 'draft' },
  ],
};
