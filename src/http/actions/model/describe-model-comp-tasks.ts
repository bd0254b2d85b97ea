import { compTaskRefusal } from './comp-task-refusal.js';

// Answers ModelCompressionNotSupported (comp-task-refusal.ts).
export default compTaskRefusal('DescribeModelCompTasks', 'read');
